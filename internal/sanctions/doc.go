// Package sanctions holds the common model every sanctions source maps onto:
// a List of Entities (vessels, organisations, persons) with normalised
// fields beside the original record, the links between entities that the
// list states (owner, operator, "Linked To"), and Diff between two versions
// of a list.
//
// One package per source turns its file format into a *List:
// sanctions/ofac (SDN legacy CSV and sdn.xml), sanctions/un (UN Security
// Council consolidated XML), sanctions/eu (EU financial sanctions XML),
// sanctions/uk (UK Sanctions List XML) and sanctions/ftm (OpenSanctions
// FollowTheMoney JSON lines). Package sanctions/match builds an Index over
// lists and screens vessels and AIS identity histories against it.
//
// Loaders read the whole input (lists are a few MB), hash it (List.SHA256)
// and reject a malformed file with a *ParseError naming file, line or
// element, and reason; they never return a partial list with a nil error.
package sanctions
