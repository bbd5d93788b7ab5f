package storetest

import "testing"

var migrationTests = []test{
	{"MigrationsCurrentAfterMigrate", func(t *testing.T, f *fixture) {
		current, err := f.s.MigrationsCurrent(f.ctx)
		if err != nil || !current {
			t.Fatalf("MigrationsCurrent = %v, %v; want true", current, err)
		}
	}},
	{"MigrateTwiceIsNoOp", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		if err := f.s.Migrate(f.ctx); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if current, err := f.s.MigrationsCurrent(f.ctx); err != nil || !current {
			t.Fatalf("MigrationsCurrent = %v, %v; want true", current, err)
		}
		f.getEndpoint(ep.ID)
	}},
	{"Ping", func(t *testing.T, f *fixture) {
		if err := f.s.Ping(f.ctx); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	}},
	{"CheckWritableChangesNothing", func(t *testing.T, f *fixture) {
		ep := f.endpoint()
		for range 2 {
			if err := f.s.CheckWritable(f.ctx); err != nil {
				t.Fatalf("CheckWritable: %v", err)
			}
		}
		if current, err := f.s.MigrationsCurrent(f.ctx); err != nil || !current {
			t.Errorf("MigrationsCurrent after CheckWritable = %v, %v; want true", current, err)
		}
		f.getEndpoint(ep.ID)
	}},
}
