package engine

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/fhir"
)

// fhirPlan is one entry on its way through FHIRWrite.
type fhirPlan struct {
	entry FHIREntry
	typ   string
	id    string
	// existing: If-None-Exist matched this stored resource; nothing is
	// written.
	existing bool

	raw  json.RawMessage // id set, references rewritten
	meta fhir.SourceMeta
	hash string

	result FHIRResult
	after  []func(ctx context.Context) error
	err    error
}

func (p *fhirPlan) field(name string) string {
	if p.entry.Path == "" {
		return p.typ + "." + name
	}
	return p.entry.Path + "." + name
}

// fhirResolveIDs gives every entry its type and id: PUT Type/id keeps
// it (the resource's id must be the same); a conditional update takes the
// one stored resource its identifier matches (none: a new id; several:
// 412); a create takes a new UUID unless If-None-Exist matches a stored
// resource. Two entries may not write the same resource.
func (e *Engine) fhirResolveIDs(ctx context.Context, plans []*fhirPlan) {
	seen := map[string]int{}
	for i, p := range plans {
		p.err = e.fhirResolveID(ctx, p)
		if p.err != nil {
			continue
		}
		key := p.typ + "/" + p.id
		if j, dup := seen[key]; dup {
			p.err = p.prefixed(carepath.Invalid(p.field("request"), "writes the same resource as entry %d", j))
			continue
		}
		seen[key] = i
	}
}

func (e *Engine) fhirResolveID(ctx context.Context, p *fhirPlan) error {
	var head struct {
		ResourceType string  `json:"resourceType"`
		ID           *string `json:"id"`
	}
	if json.Unmarshal(p.entry.Resource, &head) != nil || head.ResourceType == "" {
		p.typ = p.entry.Type
		return p.prefixed(carepath.Invalid(orDefault(p.entry.Type, "Resource"), "must be a FHIR resource (a JSON object with resourceType)"))
	}
	p.typ = head.ResourceType
	if p.entry.Type != "" && p.entry.Type != head.ResourceType {
		return p.prefixed(carepath.Invalid(head.ResourceType+".resourceType", "must be %s, the type the request names", p.entry.Type))
	}
	if !FHIRWritable(p.typ) {
		if p.entry.Path != "" {
			return carepath.Invalid(p.entry.Path+".resource.resourceType", "carepath does not accept %s", p.typ)
		}
		return fhir.NotSupported(http.StatusNotFound, "carepath does not accept %s", p.typ)
	}
	bodyID := ""
	if head.ID != nil {
		bodyID = *head.ID
	}
	switch p.entry.Method {
	case http.MethodPut:
		if p.entry.ID != "" {
			switch {
			case !fhir.ValidID(p.entry.ID):
				return p.prefixed(carepath.Invalid(p.typ+".id", "must be 1-64 letters, digits, '-' or '.'"))
			case bodyID != p.entry.ID:
				return p.prefixed(carepath.Invalid(p.typ+".id", "must be the id the request names"))
			}
			p.id = p.entry.ID
			return nil
		}
		if len(p.entry.Condition) == 0 {
			return p.prefixed(carepath.Invalid(p.field("request.url"), "an update names the id (Type/id) or a condition (Type?identifier=system|value)"))
		}
		ids, err := e.fhirMatch(ctx, p)
		if err != nil {
			return err
		}
		switch {
		case len(ids) > 1:
			return fhir.PreconditionFailed(p.field("request.url"), "the condition matches several %s resources", p.typ)
		case len(ids) == 1:
			if bodyID != "" && bodyID != ids[0] {
				return p.prefixed(carepath.Invalid(p.typ+".id", "must be the id of the resource the condition matches"))
			}
			p.id = ids[0]
		case bodyID != "":
			if !fhir.ValidID(bodyID) {
				return p.prefixed(carepath.Invalid(p.typ+".id", "must be 1-64 letters, digits, '-' or '.'"))
			}
			p.id = bodyID
		default:
			p.id = uuid.NewString()
		}
		return nil
	case http.MethodPost:
		if len(p.entry.Condition) > 0 {
			ids, err := e.fhirMatch(ctx, p)
			if err != nil {
				return err
			}
			switch {
			case len(ids) > 1:
				return fhir.PreconditionFailed(p.field("request.ifNoneExist"), "If-None-Exist matches several %s resources", p.typ)
			case len(ids) == 1:
				p.id, p.existing = ids[0], true
				return nil
			}
		}
		// A create's id is the server's (any id sent is ignored, as FHIR
		// says); a Patient's is the carepath patient's UUID.
		p.id = uuid.NewString()
		return nil
	}
	return p.prefixed(carepath.Invalid(p.field("request.method"), "must be POST or PUT"))
}

// fhirMatch finds the stored resources a condition (identifier=…) names.
func (e *Engine) fhirMatch(ctx context.Context, p *fhirPlan) ([]string, error) {
	for k := range p.entry.Condition {
		if k != fhir.ParamIdentifier {
			return nil, p.prefixed(carepath.Invalid(p.field("request.url"), "carepath matches by identifier only"))
		}
	}
	s, err := fhir.ParseSearch(p.typ, p.entry.Condition, []string{fhir.ParamIdentifier})
	if err != nil || s.Identifier == nil {
		return nil, p.prefixed(carepath.Invalid(p.field("request.url"), "must be identifier=system|value"))
	}
	return e.Store.FHIRIdentifierMatch(ctx, p.typ, s.Identifier.System, s.Identifier.Value, !s.Identifier.HasSystem)
}

// fhirRefs maps each entry's fullUrl to the Type/id it was given.
func fhirRefs(plans []*fhirPlan) map[string]string {
	refs := map[string]string{}
	for _, p := range plans {
		if p.entry.FullURL != "" && p.id != "" {
			refs[p.entry.FullURL] = p.typ + "/" + p.id
		}
	}
	return refs
}

// fhirCheck prepares an entry's content (id, rewritten references), reads
// its meta and hash, and runs its mapper's checks.
func (e *Engine) fhirCheck(ctx context.Context, a carepath.Actor, p *fhirPlan, refs map[string]string, now time.Time) error {
	if p.existing {
		return nil
	}
	var err error
	if p.raw, err = fhir.Prepare(p.entry.Resource, p.typ, p.id, refs); err != nil {
		return p.prefixed(err)
	}
	if p.meta, err = fhir.MetaOf(p.raw, p.typ); err != nil {
		return p.prefixed(err)
	}
	if p.hash, err = fhir.ContentHash(p.raw); err != nil {
		return p.prefixed(carepath.Invalid(p.typ, "must be a JSON object"))
	}
	w := &fhirApply{e: e, actor: a, Check: true, Now: now, Type: p.typ, ID: p.id, Raw: p.raw}
	return p.prefixed(fhirMappers[p.typ](ctx, w))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
