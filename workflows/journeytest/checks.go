package journeytest

import (
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/workflows"
)

// The harness holds a journey to what production will do with it: the
// stubbed activities refuse a template key the journey has no wording for,
// a template without wording in a locale patients may choose, a journey the
// deployment does not run, and a task priority nobody triages. Production
// would fail (or fall back to English) only when a patient reaches that
// step; here the journey's own test fails, naming the step and the file.

// rejectedType is the error type of a step the harness refused. It is not
// retryable, so the journey stops at the step instead of retrying it.
const rejectedType = "journeytest.Rejected"

// checker knows the journey under test and the journeys it may start.
type checker struct {
	// journey names the journey under test and its file, for failures:
	// "journey onboarding (journeys/onboarding.go)".
	journey string
	// templates is the journey's own wording plus the runtime's: a key
	// from another journey's Messages is refused too, since the journey
	// file would not show the words it sends.
	templates *messaging.Catalog
	// journeys is every journey the harness was built with.
	journeys *workflows.Registry
}

// newChecker builds the catalogues def's steps are checked against, as
// production builds them (workflows.NewRegistry), so a journey the
// deployment would refuse is refused here.
func newChecker(def workflows.Definition, others []workflows.Definition) (*checker, error) {
	own, err := workflows.NewRegistry(def)
	if err != nil {
		return nil, fmt.Errorf("journey %s (%s): %w", def.JourneyName(), journeyFile(def), err)
	}
	all := []workflows.Definition{def}
	for _, o := range others {
		if o.JourneyName() != def.JourneyName() { // journeys.All() includes def itself
			all = append(all, o)
		}
	}
	reg, err := workflows.NewRegistry(all...)
	if err != nil {
		return nil, fmt.Errorf("registry of the journeys given to journeytest.New: %w", err)
	}
	name := "journey " + def.JourneyName()
	if f := journeyFile(def); f != "" {
		name += " (" + f + ")"
	}
	return &checker{journey: name, templates: own.Templates(), journeys: reg}, nil
}

// template returns why the journey may not send key, or "".
func (c *checker) template(key string) string {
	if !c.templates.Has(key) {
		return fmt.Sprintf("template %q is not in the Messages of %s", key, c.journey)
	}
	// Every locale a patient may choose: production would fall back to
	// English, which the patient may not read.
	have := c.templates.Locales(key)
	for _, loc := range carepath.Locales {
		if !slices.Contains(have, loc) {
			return fmt.Sprintf("template %q has no %q wording in the Messages of %s (every template needs %s)",
				key, loc, c.journey, strings.Join(carepath.Locales, ", "))
		}
	}
	return ""
}

// start returns why the journey may not enroll the patient in journey
// with params, or "".
func (c *checker) start(journey string, params []byte) string {
	if _, ok := c.journeys.Get(journey); !ok {
		var known []string
		for _, d := range c.journeys.All() {
			known = append(known, d.JourneyName())
		}
		return fmt.Sprintf("%s starts journey %q, which is not in the harness's registry [%s] "+
			"(pass the journeys it may start to journeytest.New)", c.journey, journey, strings.Join(known, ", "))
	}
	if _, err := c.journeys.NormalizeParams(journey, params); err != nil {
		return fmt.Sprintf("%s starts journey %s with params %s: %v", c.journey, journey, params, err)
	}
	return ""
}

// priority returns why a task may not have priority p, or "".
func (c *checker) priority(p carepath.Priority) string {
	if p.Valid() {
		return ""
	}
	return fmt.Sprintf("%s raises a task with priority %q, which is not a carepath.Priority", c.journey, p)
}

// reject fails the test with why, naming the step (the stubbed activity
// and when it ran), and returns the error the activity answers with.
// Errorf, not Fatalf: activities run off the test's goroutine.
func (h *Harness) reject(step, why string) error {
	msg := fmt.Sprintf("journeytest: %s at %s: %s", step, h.Env.Now().Sub(h.start), why)
	h.t.Errorf("%s", msg)
	return temporal.NewNonRetryableApplicationError(msg, rejectedType, nil)
}

// journeyFile is where def's flow is written ("journeys/onboarding.go"),
// found from its Run function; "" when def is not a *workflows.Journey.
func journeyFile(def workflows.Definition) string {
	v := reflect.ValueOf(def)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return ""
	}
	run := v.Elem().FieldByName("Run")
	if !run.IsValid() || run.Kind() != reflect.Func || run.IsNil() {
		return ""
	}
	f := runtime.FuncForPC(run.Pointer())
	if f == nil {
		return ""
	}
	file, _ := f.FileLine(f.Entry())
	return filepath.ToSlash(filepath.Join(filepath.Base(filepath.Dir(file)), filepath.Base(file)))
}
