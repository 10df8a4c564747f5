// Command lookout is the Lookout maritime sanctions-monitoring tool.
package main

import (
	"os"

	"github.com/lookout-maritime/lookout/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
