package workflows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/messaging"
)

// Journey is a care path written in Go. P is its params struct: each field
// carries its JSON name, clinical default, bounds and description in tags
// (see Duration and paramSpecs). Run reads top to bottom as the care path
// and returns the outcome the enrollment ends with.
type Journey[P any] struct {
	Name        string
	Version     int
	Description string
	// Messages is the journey's wording: template key → locale → text.
	Messages map[string]map[string]messaging.Text
	// Triggers start the journey from source-system events.
	Triggers []Trigger
	// Opening says what the journey sends before the patient's first
	// reply, for the given params (see Opening).
	Opening func(p P) Opening
	Run     func(j *J, p P) (outcome string, err error)
}

// Definition is what the catalogue, the API and the worker need of a
// journey, whatever its params type.
type Definition interface {
	JourneyName() string
	JourneyVersion() int
	JourneyDescription() string
	Params() []ParamSpec
	// NormalizeParams validates raw params, fills in defaults and returns
	// the complete set, or an EINVALID error naming "params.<name>".
	NormalizeParams(raw json.RawMessage) (json.RawMessage, error)
	// WorkflowFunc is the Temporal workflow function, registered under the
	// journey's name. It takes an Input (with typed params).
	WorkflowFunc() any
	// JourneyTriggers lists the events that start the journey.
	JourneyTriggers() []Trigger
	// OpeningFor says what the journey sends before the first reply, for
	// normalised params.
	OpeningFor(params json.RawMessage) (Opening, error)
	messages() map[string]map[string]messaging.Text
}

// JourneyName returns the name enrollments and workflows use.
func (d *Journey[P]) JourneyName() string { return d.Name }

// JourneyVersion returns the catalogue version.
func (d *Journey[P]) JourneyVersion() int { return d.Version }

// JourneyDescription returns the one-paragraph description.
func (d *Journey[P]) JourneyDescription() string { return d.Description }

func (d *Journey[P]) messages() map[string]map[string]messaging.Text { return d.Messages }

// JourneyTriggers implements Definition.
func (d *Journey[P]) JourneyTriggers() []Trigger { return d.Triggers }

func (d *Journey[P]) paramsType() reflect.Type { return reflect.TypeFor[P]() }

// Params describes the journey's parameters.
func (d *Journey[P]) Params() []ParamSpec {
	specs, err := paramSpecs(d.paramsType())
	if err != nil {
		panic(err) // NewRegistry rejects such a journey before it can be used
	}
	return specs
}

// NormalizeParams implements Definition.
func (d *Journey[P]) NormalizeParams(raw json.RawMessage) (json.RawMessage, error) {
	v, err := normalizeParams(d.paramsType(), d.Params(), raw)
	if err != nil {
		return nil, err
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode params: %w", err)
	}
	return out, nil
}

// typedInput has the JSON shape of Input with the params decoded, so the
// SDK's converter (not workflow code) parses them.
type typedInput[P any] struct {
	EnrollmentID string           `json:"enrollment_id"`
	PatientID    string           `json:"patient_id"`
	Journey      string           `json:"journey"`
	Params       P                `json:"params"`
	State        State            `json:"state"`
	Channel      carepath.Channel `json:"channel,omitempty"`
}

// WorkflowFunc implements Definition.
func (d *Journey[P]) WorkflowFunc() any { return d.workflow }

// workflow runs the journey and records how it ended, or carries it into a
// new run when it asked to continue as new.
func (d *Journey[P]) workflow(ctx workflow.Context, in typedInput[P]) (Result, error) {
	j, err := newJ(ctx, Input{EnrollmentID: in.EnrollmentID, PatientID: in.PatientID, Journey: in.Journey, State: in.State, Channel: in.Channel})
	if err != nil {
		return Result{}, err
	}
	outcome, runErr := d.run(j, in.Params)
	if c, ok := asContinue(runErr); ok {
		next, err := j.nextRun(c)
		if err != nil {
			return Result{}, err
		}
		in.State = next
		return Result{}, continueJourney(ctx, d.Name, in)
	}
	return j.finish(outcome, runErr)
}

// run runs the journey's flow. A step that failed ends it there with the
// step's error (see J), as if Run had returned it.
func (d *Journey[P]) run(j *J, p P) (outcome string, err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		failed, ok := r.(stepFailed)
		if !ok {
			panic(r) // a bug, not a failed step: Temporal reports it as such
		}
		outcome, err = "", failed.err
	}()
	return d.Run(j, p)
}

// Defaults returns the journey's params with every default filled in. It
// reads P's tags through reflect, which workflowcheck flags, but returns
// the same value every time.
//
//workflowcheck:ignore
func (d *Journey[P]) Defaults() P {
	var p P
	raw, err := d.NormalizeParams(nil)
	if err == nil {
		err = decodeCarry(raw, &p)
	}
	if err != nil {
		panic(err) // NewRegistry rejects a journey whose defaults do not hold
	}
	return p
}

// changedParams encodes p as the params that differ from the journey's
// defaults ({} when none do); the journey fills in the rest when it is
// enrolled. Deterministic: fields in declaration order, keys sorted.
//
//workflowcheck:ignore
func (d *Journey[P]) changedParams(p P) (json.RawMessage, error) {
	given, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	defaults, err := d.NormalizeParams(nil)
	if err != nil {
		return nil, err
	}
	var g, def map[string]json.RawMessage
	if err := json.Unmarshal(given, &g); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(defaults, &def); err != nil {
		return nil, err
	}
	changed := map[string]json.RawMessage{}
	for _, spec := range d.Params() {
		if !bytes.Equal(g[spec.Name], def[spec.Name]) {
			changed[spec.Name] = g[spec.Name]
		}
	}
	return json.Marshal(changed)
}

// Registry is the catalogue of journeys a deployment runs.
type Registry struct {
	byName    map[string]Definition
	names     []string
	templates *messaging.Catalog
}

// NewRegistry checks every journey (unique name, well-formed params,
// wording that parses) and builds the template catalogue from them.
func NewRegistry(defs ...Definition) (*Registry, error) {
	r := &Registry{byName: map[string]Definition{}, templates: messaging.NewCatalog()}
	for _, k := range systemTemplateKeys() {
		if err := r.templates.Add(k, systemMessages[k]); err != nil {
			return nil, err
		}
	}
	for _, d := range defs {
		name := d.JourneyName()
		if name == "" || d.JourneyVersion() < 1 {
			return nil, fmt.Errorf("journey %q: needs a name and a version ≥ 1", name)
		}
		if _, dup := r.byName[name]; dup {
			return nil, fmt.Errorf("journey %s registered twice", name)
		}
		if j, ok := d.(interface{ paramsType() reflect.Type }); ok {
			if _, err := paramSpecs(j.paramsType()); err != nil {
				return nil, fmt.Errorf("journey %s: %w", name, err)
			}
		}
		if _, err := d.NormalizeParams(nil); err != nil {
			return nil, fmt.Errorf("journey %s: defaults are out of bounds: %w", name, err)
		}
		keys := make([]string, 0, len(d.messages()))
		for k := range d.messages() {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := r.templates.Add(k, d.messages()[k]); err != nil {
				return nil, fmt.Errorf("journey %s: %w", name, err)
			}
		}
		r.byName[name] = d
		r.names = append(r.names, name)
	}
	sort.Strings(r.names)
	return r, nil
}

// NormalizeParams validates params for the named journey and fills in its
// defaults.
func (r *Registry) NormalizeParams(journey string, raw json.RawMessage) (json.RawMessage, error) {
	d, ok := r.byName[journey]
	if !ok {
		return nil, fmt.Errorf("unknown journey %q", journey)
	}
	return d.NormalizeParams(raw)
}

// Get returns a journey by name.
func (r *Registry) Get(name string) (Definition, bool) {
	d, ok := r.byName[name]
	return d, ok
}

// All returns every journey, by name.
func (r *Registry) All() []Definition {
	out := make([]Definition, len(r.names))
	for i, n := range r.names {
		out[i] = r.byName[n]
	}
	return out
}

// Templates returns the catalogue of every journey's wording.
func (r *Registry) Templates() *messaging.Catalog { return r.templates }

// RegisterWorkflows registers each journey's workflow under its name, and
// the runtime's own workflows.
func (r *Registry) RegisterWorkflows(w worker.WorkflowRegistry) {
	w = versioned{w}
	w.RegisterWorkflowWithOptions(ComplianceReply, workflow.RegisterOptions{Name: ComplianceReplyWorkflow})
	w.RegisterWorkflowWithOptions(SafetyReply, workflow.RegisterOptions{Name: SafetyReplyWorkflow})
	w.RegisterWorkflowWithOptions(StaffMessage, workflow.RegisterOptions{Name: StaffMessageWorkflow})
	w.RegisterWorkflowWithOptions(TaskEscalation, workflow.RegisterOptions{Name: TaskEscalationWorkflow})
	w.RegisterWorkflowWithOptions(BulkLaunch, workflow.RegisterOptions{Name: BulkLaunchWorkflow})
	w.RegisterWorkflowWithOptions(TaskSweeper, workflow.RegisterOptions{Name: TaskSweeperWorkflow})
	w.RegisterWorkflowWithOptions(TaskPage, workflow.RegisterOptions{Name: TaskPageWorkflow})
	for _, d := range r.All() {
		w.RegisterWorkflowWithOptions(d.WorkflowFunc(), workflow.RegisterOptions{Name: d.JourneyName()})
	}
}
