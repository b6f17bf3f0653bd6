package nangotest

import (
	"maps"
	"slices"
	"strings"
)

// Where the fake's stores meet: an integration owns its deployed syncs and
// actions (their functions, their schedules, their records), a connection
// owns its sync runs and records. Deleting the owner deletes what it owns,
// as Nango's deletion does (deleteProviderConfig, deleteConnectionData,
// deleteSyncConfigData); renaming an integration moves it. f.mu is held by
// every function here.

// forgetConnectionLocked drops what a deleted connection owned: the state
// of its syncs and its records. A connection made again with the same id
// starts empty, as a new connection in Nango does.
func (f *Fake) forgetConnectionLocked(key, conn string) {
	if st := f.syncs; st != nil {
		maps.DeleteFunc(st.states, func(k syncKey, _ *syncState) bool { return k.key == key && k.conn == conn })
	}
	maps.DeleteFunc(f.records, func(k recordsKey, _ map[string]*fakeRecord) bool { return k.key == key && k.conn == conn })
}

// forgetIntegrationLocked drops what a deleted integration owned beside its
// connections: its deployed syncs and their state, the records of its
// connections, its actions and their functions.
func (f *Fake) forgetIntegrationLocked(key string) {
	if st := f.syncs; st != nil {
		delete(st.deployed, key)
		maps.DeleteFunc(st.states, func(k syncKey, _ *syncState) bool { return k.key == key })
	}
	maps.DeleteFunc(f.records, func(k recordsKey, _ map[string]*fakeRecord) bool { return k.key == key })
	delete(f.actions.handlers, key)
	delete(f.mgmt.functions, key)
}

// renameIntegrationLocked moves what an integration owns to its new key.
// Nango refuses to rename an integration with connections, so only its
// deployed syncs, actions and functions move in practice; sync state and
// records move too, should there be any.
func (f *Fake) renameIntegrationLocked(oldKey, newKey string) {
	if oldKey == newKey {
		return
	}
	if st := f.syncs; st != nil {
		if d, ok := st.deployed[oldKey]; ok {
			st.deployed[newKey] = d
			delete(st.deployed, oldKey)
		}
		for k, s := range st.states {
			if k.key == oldKey {
				delete(st.states, k)
				k.key = newKey
				st.states[k] = s
			}
		}
	}
	for k, r := range f.records {
		if k.key == oldKey {
			delete(f.records, k)
			k.key = newKey
			f.records[k] = r
		}
	}
	if h, ok := f.actions.handlers[oldKey]; ok {
		f.actions.handlers[newKey] = h
		delete(f.actions.handlers, oldKey)
	}
	if fns, ok := f.mgmt.functions[oldKey]; ok {
		f.mgmt.functions[newKey] = fns
		delete(f.mgmt.functions, oldKey)
	}
}

// undeploySyncLocked removes a deployed sync from an integration, as
// deleting its function does in Nango: its schedules and runs for every
// connection, and the records of its models (of every variant) that no
// other sync of the integration writes.
func (f *Fake) undeploySyncLocked(key, name string) {
	st := f.syncs
	if st == nil || st.deployed[key][name] == nil {
		return
	}
	models := st.deployed[key][name].models
	delete(st.deployed[key], name)
	maps.DeleteFunc(st.states, func(k syncKey, _ *syncState) bool { return k.key == key && k.name == name })
	written := map[string]bool{}
	for _, d := range st.deployed[key] {
		for _, m := range d.models {
			written[m] = true
		}
	}
	maps.DeleteFunc(f.records, func(k recordsKey, _ map[string]*fakeRecord) bool {
		model, _, _ := strings.Cut(k.model, "::")
		return k.key == key && slices.Contains(models, model) && !written[model]
	})
}

// unregisterFunctionLocked removes the functions of a kind and name from an
// integration's deployed functions.
func (f *Fake) unregisterFunctionLocked(key, name, kind string) {
	if f.mgmt.functions[key] == nil {
		return
	}
	f.mgmt.functions[key] = slices.DeleteFunc(f.mgmt.functions[key], func(d *deployedFunction) bool {
		return d.Name == name && string(d.Type) == kind
	})
}
