package hookrelay

import "github.com/hookrelay/hookrelay/internal/store"

// normalized is ev as the store takes it, checked and with its defaults
// (store.Event.Normalize), so that an invalid event is refused before any
// database is touched.
func (ev Event) normalized() (store.Event, error) {
	sev := ev.toStore()
	if err := sev.Normalize(); err != nil {
		return store.Event{}, err
	}
	return sev, nil
}
