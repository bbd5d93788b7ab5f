package store

// AnsweredChallenge is an applied outcome whose answer echoed a challenge:
// Complete marks EndpointID verified when EventID is still its current
// challenge (see Outcome.Verifies).
type AnsweredChallenge struct {
	EndpointID int64
	EventID    string
}

// AnsweredChallenges returns the challenges that the applied outcomes of one
// Complete answered, in batch order.
func AnsweredChallenges(applied []AppliedOutcome) []AnsweredChallenge {
	var answered []AnsweredChallenge
	for _, a := range applied {
		if a.Verifies != "" {
			answered = append(answered, AnsweredChallenge{EndpointID: a.EndpointID, EventID: a.Verifies})
		}
	}
	return answered
}
