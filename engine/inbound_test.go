package engine

import (
	"testing"

	"github.com/carepath/carepath/answers"
	"github.com/carepath/carepath/store"
)

func TestPickQuestionByFit(t *testing.T) {
	feeling := store.Question{ID: "feeling", Accepts: answers.Spec{Choices: []answers.Choice{
		{Value: "better", Words: []string{"1", "better"}}, {Value: "same", Words: []string{"2"}}, {Value: "worse", Words: []string{"3", "worse"}}}}}
	score := store.Question{ID: "score", Accepts: answers.Spec{Number: &answers.NumberRange{Min: 0, Max: 10}}}
	free := store.Question{ID: "free"}
	cases := []struct {
		open []store.Question // newest first
		body string
		want string
	}{
		{[]store.Question{score, feeling}, "worse", "feeling"}, // fits only the older question
		{[]store.Question{score, feeling}, "8", "score"},       // fits only the newer
		{[]store.Question{feeling, score}, "3", "feeling"},     // fits both: the newest
		{[]store.Question{score, feeling}, "hello?", "score"},  // fits neither: the newest clarifies
		{[]store.Question{free, feeling}, "worse", "feeling"},  // free text is a last resort
		{[]store.Question{free, feeling}, "my knee hurts", "free"},
	}
	for _, c := range cases {
		got, ok := pickQuestion(c.open, c.body)
		if !ok || got.ID != c.want {
			t.Errorf("%q with %v waiting: %s, want %s", c.body, ids(c.open), got.ID, c.want)
		}
	}
	if _, ok := pickQuestion(nil, "3"); ok {
		t.Fatal("picked a question from none")
	}
}

func ids(qs []store.Question) []string {
	var out []string
	for _, q := range qs {
		out = append(out, q.ID)
	}
	return out
}
