// Package demo holds the data the founding-case demo (`lookout demo`)
// bundles: the real OFAC SDN list of 2024-05-03, which carries the
// designations of ANGARA, MAIA-1 and MARIA and their look-alikes. The
// simulated AIS traffic and imagery come from internal/sim; the CLI wires
// the stages together through the same code paths as real data.
package demo

import (
	"bytes"
	_ "embed"
	"io"
	"time"
)

//go:embed data/sdn_2024-05-03.csv.gz
var sdn []byte

// SDNFile is the bundled list's file name (gzip; the loader decompresses).
const SDNFile = "sdn_2024-05-03.csv.gz"

// SDNPublished is the date the bundled list was downloaded as published
// (data/SOURCE.md); the legacy CSV itself carries no date.
var SDNPublished = time.Date(2024, 5, 3, 0, 0, 0, 0, time.UTC)

// SDNURL is where OFAC publishes the legacy CSV.
const SDNURL = "https://www.treasury.gov/ofac/downloads/sdn.csv"

// SDN returns the bundled OFAC SDN list (legacy CSV, gzip-compressed).
// Source and licence: data/SOURCE.md.
func SDN() io.Reader { return bytes.NewReader(sdn) }

// Title is the demo case's title.
const Title = "DPRK–Russia shipments via Najin, Sept–Dec 2023 (SIMULATED AIS and imagery)"
