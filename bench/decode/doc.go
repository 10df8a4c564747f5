// Package decode holds the AIS decode benchmark: Lookout's decoder against
// github.com/BertoldVdb/go-ais and a bare checksum scan, all over the same
// corpus (see ./corpus and ./gencorpus). Run everything, including the
// whole-process comparison with gpsdecode, with
//
//	bash bench/decode/run.sh
//
// and see docs/BENCHMARKS.md for the method and the numbers.
package decode
