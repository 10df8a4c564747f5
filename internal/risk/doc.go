// Package risk rates vessels: one explained verdict per vessel (low,
// elevated, high or sanctioned) with a score whose every point comes from a
// named factor, and every factor from the events (or identity records) it
// rests on.
//
// The engine is pure: it takes a vessel's identity history and events (as
// the store returns them), the evaluation time and a Policy, and returns a
// Profile. Nothing here reads a database, the network or the wall clock.
//
// # Scoring
//
// Each piece of evidence becomes a Factor of one FactorKind. Its
// contribution is
//
//	weight × strength × multiplier × decay
//
// where weight comes from the policy, strength in [0,1] from the event (a
// sanctions hit's score, a detector's confidence, a dark-port candidate's
// plausibility), multiplier is 1 except for identity changes after a
// designation, and decay = 0.5^(age / half-life) with age measured from the
// event's end to the evaluation time. When the contributions of one kind
// add up to more than the kind's cap, all of them are scaled down by the
// same ratio, so the listed contributions always sum to the score.
//
// The rating is the highest of: the score band (policy thresholds) and the
// floors of the factors present (a direct sanctions hit floors the rating at
// sanctioned whatever the score).
//
// Removing the events of one factor lowers the score by exactly that
// factor's contribution, as long as its kind's cap does not bind.
//
// # Event details read
//
// See the constants Detail* and docs/RISK.md for the Details keys the
// engine reads from each event kind; unknown keys are ignored and numbers
// may arrive as any JSON number type (the store round-trips them).
package risk
