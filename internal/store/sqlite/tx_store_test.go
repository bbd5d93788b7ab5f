package sqlite_test

import (
	"context"
	"database/sql"
	"path"
	"testing"

	"github.com/hookrelay/hookrelay/internal/store"
	"github.com/hookrelay/hookrelay/internal/store/sqlite"
	"github.com/hookrelay/hookrelay/internal/store/storetest"
	"github.com/hookrelay/hookrelay/internal/testdb"
)

// TestStoreInTheApplicationsTransactions runs the store suite with every
// endpoint write and read and every publish (the methods that TxStore runs
// in an application's transaction) in a transaction of its own of a
// database/sql handle of the application's on the same file.
//
// The suite's tests of in-process announcements skip: a write in an
// application's transaction cannot announce its commit (database/sql has no
// hook), so workers learn of it at their next poll, as TxStore says.
func TestStoreInTheApplicationsTransactions(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		switch path.Base(t.Name()) {
		case "WakeupsAfterPublish", "PublishManyWakesWorkers", "DeactivationsAnnounceDisabledAndDeletedEndpoints":
			t.Skip("an application's transaction cannot announce its commit: workers poll (TxStore)")
		}
		file := testdb.SQLitePath(t)
		st := migrated(t, file)
		app, err := sql.Open("sqlite", sqlite.DSN(file))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { app.Close() })
		return foreignRows{storetest.InTransactions{Store: st, Begin: func(ctx context.Context) (store.Store, func() error, func() error, error) {
			tx, err := app.BeginTx(ctx, nil)
			if err != nil {
				return nil, nil, nil, err
			}
			return st.InTx(tx), tx.Commit, tx.Rollback, nil
		}}, file}
	})
}
