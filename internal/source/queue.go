package source

import "github.com/lookout-maritime/lookout/internal/vessel"

// queue holds the observations one input record gave (a type 19 report is
// a position and static data), handed out one per Next. Its storage is
// reused from record to record: a reader allocates no slice per message.
type queue struct {
	obs  []vessel.Observation
	next int
}

// pop returns the next queued observation.
func (q *queue) pop() (vessel.Observation, bool) {
	if q.next >= len(q.obs) {
		return vessel.Observation{}, false
	}
	o := q.obs[q.next]
	q.obs[q.next] = vessel.Observation{} // drop the references
	q.next++
	return o, true
}

// empty returns the queue's storage, emptied, for appending a record's
// observations; set them with fill.
func (q *queue) empty() []vessel.Observation {
	q.obs, q.next = q.obs[:0], 0
	return q.obs
}

// fill makes obs the queued observations.
func (q *queue) fill(obs []vessel.Observation) { q.obs, q.next = obs, 0 }

// push queues one more observation.
func (q *queue) push(o vessel.Observation) {
	if q.next >= len(q.obs) {
		q.obs, q.next = q.obs[:0], 0
	}
	q.obs = append(q.obs, o)
}
