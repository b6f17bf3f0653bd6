package nangotest

import "time"

// recordChangesLocked is the seam between the fake's syncs and its records:
// what a run of a sync changed in one model of one connection since an
// instant (records whose last modification is at or after since, as GET
// /records?modified_after= reads them), and how many records the model
// holds. Called with f.mu held.
//
// STUB: the records side defines the real one; the integrator deletes this
// file at merge.
func (f *Fake) recordChangesLocked(providerConfigKey, connectionID, model, variant string, since time.Time) (added, updated, deleted, total int) {
	return 0, 0, 0, 0
}
