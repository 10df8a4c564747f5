module github.com/lookout-maritime/lookout

go 1.26.8

require (
	github.com/BertoldVdb/go-ais v0.4.0
	github.com/spf13/cobra v1.10.2
)

require (
	github.com/adrianmo/go-nmea v1.3.0 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
)
