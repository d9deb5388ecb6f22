package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/fhir"
	"github.com/carepath/carepath/store"
)

// fhirItem is one rendered resource with what paging and the audit need.
type fhirItem struct {
	raw       json.RawMessage
	id        string
	updated   time.Time // the row's own time (microseconds), the keyset
	patientID string    // the carepath patient it is about ("" for none)
}

// fhirLister lists one source of a type's resources in (updated, id)
// order, rendered. A type may have two (Observation: patient-reported
// rows and stored EHR ones); a search merges them.
type fhirLister func(ctx context.Context, q *store.Queries, f store.FHIRResourceFilter, s fhir.Search) ([]fhirItem, error)

// fhirCursor is the keyset place of the last resource of a page, as the
// opaque _cursor token: <unix microseconds>~<id>.
func fhirCursor(it fhirItem) string {
	return strconv.FormatInt(it.updated.UnixMicro(), 10) + "~" + it.id
}

func parseFHIRCursor(s string) (time.Time, string, error) {
	at, id, ok := strings.Cut(s, "~")
	us, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || !fhir.ValidID(id) {
		return time.Time{}, "", carepath.Invalid(fhir.ParamCursor, "is not a page token this server gave")
	}
	return time.UnixMicro(us).UTC(), id, nil
}

// fhirFilter turns a parsed search into the store's filter: the patient
// (resolved from their FHIR id), the _lastUpdated range, ids, the cursor
// and one more row than the page (to know whether there is a next).
// none is true when nothing can match (an unknown patient).
func fhirFilter(ctx context.Context, q *store.Queries, s fhir.Search) (f store.FHIRResourceFilter, none bool, err error) {
	if s.Patient != "" {
		pid, err := q.FHIRPatientOf(ctx, s.Patient)
		if carepath.ErrorCode(err) == carepath.ENOTFOUND {
			return f, true, nil
		}
		if err != nil {
			return f, false, err
		}
		f.PatientID = pid
	}
	for _, d := range s.LastUpdated {
		from, to := d.Bounds()
		if !from.IsZero() && (f.UpdatedFrom == nil || from.After(*f.UpdatedFrom)) {
			f.UpdatedFrom = &from
		}
		if !to.IsZero() && (f.UpdatedBefore == nil || to.Before(*f.UpdatedBefore)) {
			f.UpdatedBefore = &to
		}
	}
	if s.IDs != nil {
		f.IDs = s.IDs
	}
	if s.Cursor != "" {
		at, id, err := parseFHIRCursor(s.Cursor)
		if err != nil {
			return f, false, err
		}
		f.AfterUpdated, f.AfterID = &at, id
	}
	count := s.Count
	if count <= 0 {
		count = fhir.DefaultCount
	}
	f.Limit = min(count, fhir.MaxCount) + 1
	return f, false, nil
}

// fhirPage runs a type's listers and merges them into one page.
func fhirPage(ctx context.Context, q *store.Queries, listers []fhirLister, s fhir.Search) ([]fhirItem, string, error) {
	f, none, err := fhirFilter(ctx, q, s)
	if err != nil || none {
		return nil, "", err
	}
	var all []fhirItem
	for _, list := range listers {
		items, err := list(ctx, q, f, s)
		if err != nil {
			return nil, "", err
		}
		all = mergeFHIRItems(all, items)
	}
	page := f.Limit - 1
	if len(all) <= page {
		return all, "", nil
	}
	return all[:page], fhirCursor(all[page-1]), nil
}

// mergeFHIRItems merges two lists each in (updated, id) order, keeping
// each list's own order: PostgreSQL orders ids by its collation, which
// may differ from Go's byte order among rows of one instant (a transaction
// Bundle's resources share their last_updated), and the next page's cursor
// is compared by PostgreSQL.
func mergeFHIRItems(a, b []fhirItem) []fhirItem {
	out := make([]fhirItem, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if cmp.Or(a[0].updated.Compare(b[0].updated), strings.Compare(a[0].id, b[0].id)) <= 0 {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// FHIRSearch searches one resource type (FHIR.md: _id, subject/patient,
// _lastUpdated, identifier, status for Task, _count, paging by _cursor).
// Each patient whose data the page holds gets an audit row; a page about
// nobody gets one without a patient.
func (e *Engine) FHIRSearch(ctx context.Context, a carepath.Actor, typ string, s fhir.Search) (fhir.Page, error) {
	listers, err := fhirListers(typ)
	if err != nil {
		return fhir.Page{}, err
	}
	if s.Status != nil && typ != "Task" {
		return fhir.Page{}, carepath.Invalid(fhir.ParamStatus, "is not a search parameter %s supports", typ)
	}
	var page fhir.Page
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		s, none, err := fhirNarrow(ctx, q, typ, s)
		if err != nil || none {
			return err
		}
		items, next, err := fhirPage(ctx, q, listers, s)
		if err != nil {
			return err
		}
		page = fhir.Page{Resources: make([]json.RawMessage, 0, len(items)), Next: next, Total: -1}
		seen := map[string]bool{}
		for _, it := range items {
			page.Resources = append(page.Resources, it.raw)
			if it.patientID != "" && !seen[it.patientID] {
				seen[it.patientID] = true
				if err := audit(ctx, q, a, "fhir.search", it.patientID, "fhir/"+typ); err != nil {
					return err
				}
			}
		}
		if len(seen) == 0 {
			return audit(ctx, q, a, "fhir.search", "", "fhir/"+typ)
		}
		return nil
	})
	if page.Resources == nil {
		page = fhir.Page{Resources: []json.RawMessage{}, Total: -1}
	}
	return page, err
}

// fhirNarrow turns an identifier search into ids (intersected with _id
// when both are given); none is true when nothing can match.
func fhirNarrow(ctx context.Context, q *store.Queries, typ string, s fhir.Search) (fhir.Search, bool, error) {
	if s.Identifier == nil {
		return s, false, nil
	}
	ids, err := fhirIdentifierIDs(ctx, q, typ, *s.Identifier)
	if err != nil || len(ids) == 0 {
		return s, true, err
	}
	if s.IDs != nil {
		ids = slices.DeleteFunc(ids, func(id string) bool { return !slices.Contains(s.IDs, id) })
		if len(ids) == 0 {
			return s, true, nil
		}
	}
	s.IDs = ids
	return s, false, nil
}

// fhirIdentifierIDs resolves identifier=system|value: carepath's own id
// systems name the id itself; a provider's message id names its message;
// anything else is an identifier of a stored resource.
func fhirIdentifierIDs(ctx context.Context, q *store.Queries, typ string, t fhir.Token) ([]string, error) {
	own := map[string]string{
		"Communication": fhir.SystemMessageID, "Task": fhir.SystemTaskID,
		"QuestionnaireResponse": fhir.SystemQuestionID, "Observation": fhir.SystemObservationID,
		"Patient": fhir.SystemPatientID,
	}
	if sys, ok := own[typ]; ok && t.System == sys {
		return []string{t.Value}, nil
	}
	if provider, ok := strings.CutPrefix(t.System, fhir.SystemProviderMessagePrefix); ok && typ == "Communication" {
		id, err := q.FHIRMessageIDByProvider(ctx, provider, t.Value)
		if err != nil || id == "" {
			return nil, err
		}
		return []string{id}, nil
	}
	return q.FHIRIdentifierMatch(ctx, typ, t.System, t.Value, !t.HasSystem)
}
