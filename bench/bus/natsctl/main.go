// Command natsctl does the little NATS JetStream housekeeping the bus
// benchmark needs without the nats CLI: delete a benchmark's streams and
// their lease buckets, or print how many messages a stream holds.
//
//	go run ./bench/bus/natsctl [-s nats://127.0.0.1:4222] rm STREAM...
//	go run ./bench/bus/natsctl [-s nats://127.0.0.1:4222] msgs STREAM
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func main() {
	server := flag.String("s", "nats://127.0.0.1:4222", "NATS server")
	flag.Parse()
	if err := run(*server, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "natsctl:", err)
		os.Exit(1)
	}
}

func run(server string, args []string) error {
	if len(args) < 2 {
		return errors.New("usage: natsctl [-s URL] rm STREAM... | msgs STREAM")
	}
	nc, err := nats.Connect(server, nats.Timeout(5*time.Second))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	switch args[0] {
	case "rm":
		// A stream, its cell stream and their lease and run buckets.
		for _, name := range args[1:] {
			for _, s := range []string{name, name + "_CELLS"} {
				if err := js.DeleteStream(ctx, s); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
					return fmt.Errorf("deleting stream %s: %w", s, err)
				}
				for _, b := range []string{s + "_leases", s + "_runs"} {
					if err := js.DeleteKeyValue(ctx, b); err != nil && !errors.Is(err, jetstream.ErrBucketNotFound) && !errors.Is(err, jetstream.ErrStreamNotFound) {
						return fmt.Errorf("deleting bucket %s: %w", b, err)
					}
				}
			}
		}
	case "msgs":
		s, err := js.Stream(ctx, args[1])
		if err != nil {
			return err
		}
		info, err := s.Info(ctx)
		if err != nil {
			return err
		}
		fmt.Println(info.State.Msgs)
	default:
		return fmt.Errorf("unknown command %q", args[0])
	}
	return nil
}
