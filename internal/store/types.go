package store

import (
	"time"
)

// LinkDecision is a human judgement that two records describe the same
// person (Same) or different persons. RecordA < RecordB.
type LinkDecision struct {
	ID        int64     `json:"id"`
	RecordA   int64     `json:"record_a"`
	RecordB   int64     `json:"record_b"`
	Same      bool      `json:"same"`
	By        string    `json:"by"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// ReviewPair is a doubtful candidate pair waiting for a human.
type ReviewPair struct {
	RecordA     int64   `json:"record_a"`
	RecordB     int64   `json:"record_b"`
	Probability float64 `json:"probability"`
	// Worth is what deciding the pair is worth (match.ReviewWorth); the
	// queue is ordered by it, highest first.
	Worth float64 `json:"worth"`
}

// EstimateRow is one of our own estimates, stored with what is needed to
// reproduce it.
type EstimateRow struct {
	ID         int64     `json:"id"`
	Stratum    string    `json:"stratum"`
	Method     string    `json:"method"`
	Observed   int       `json:"observed"`
	Estimate   float64   `json:"estimate"`
	Lower      *float64  `json:"lower,omitempty"`
	Upper      *float64  `json:"upper,omitempty"`
	Level      float64   `json:"level"`
	Model      string    `json:"model,omitempty"`
	ParamsJSON string    `json:"params_json"`
	Seed       int64     `json:"seed"`
	InputHash  string    `json:"input_hash"`
	CreatedBy  string    `json:"created_by,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	// Fictional marks an estimate computed on fictional persons (any
	// person or record it counted is marked fictional).
	Fictional bool `json:"fictional"`
}

// CaptureRow is one person's capture history: which lists (sources)
// recorded them, and the values of the requested strata.
type CaptureRow struct {
	PersonID int64 `json:"person_id"`
	// Lists are indexes into the list names CaptureHistories returns, ascending.
	Lists []int `json:"lists"`
	// Strata maps each requested stratum variable to its value ("unknown"
	// when the records do not say); Stratum joins them with "|".
	Strata  map[string]string `json:"strata,omitempty"`
	Stratum string            `json:"stratum"`
	// Fictional: the person or one of the records counted is fictional.
	Fictional bool `json:"fictional,omitempty"`
}
