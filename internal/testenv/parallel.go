package testenv

import (
	"maps"
	"slices"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
)

// EachStoreParallel runs each of tests (by name) once per store
// (EachStore), as parallel subtests named "postgres/<name>" and
// "sqlite/<name>" started in the order of their names, each on a new store
// of its own.
func EachStoreParallel(t *testing.T, tests map[string]func(t *testing.T, st store.Store)) {
	EachStore(t, func(t *testing.T, newStore func(*testing.T) store.Store) {
		for _, name := range slices.Sorted(maps.Keys(tests)) {
			test := tests[name]
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				test(t, newStore(t))
			})
		}
	})
}
