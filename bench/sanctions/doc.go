// Package sanctionsbench compares Lookout's vessel screening
// (internal/sanctions/match) with github.com/moov-io/watchman's search,
// side by side in one run on the same list files and queries:
//
//   - quality: precision, recall and F1 at the alert threshold on the
//     labelled set internal/sanctions/testdata/eval.jsonl (real OFAC SDN
//     vessels) and on synthetic queries;
//   - speed: screening 100,000 vessels against a synthetic 20,000-vessel
//     list (./synth), and watchman's search per query on the same list.
//
// Run everything with
//
//	bash bench/sanctions/run.sh
//
// and see the "Sanctions screening" section of docs/BENCHMARKS.md.
package sanctionsbench
