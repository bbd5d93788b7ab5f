package store

// CutPage cuts a list that was read with one row more than limit (the
// convention of every paged read: Limit+1) down to limit, and reports
// whether the extra row, the sign of a next page, was there. The HTTP API
// and the dashboard page their lists with it.
func CutPage[T any](items []T, limit int) ([]T, bool) {
	if len(items) <= limit {
		return items, false
	}
	return items[:limit], true
}
