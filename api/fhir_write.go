package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/engine"
	"github.com/carepath/carepath/fhir"
)

// bundleIn is a transaction or batch Bundle as carepath reads it.
type bundleIn struct {
	ResourceType string  `json:"resourceType"`
	Type         *string `json:"type"`
	Entry        []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Request  *struct {
			Method      string  `json:"method"`
			URL         string  `json:"url"`
			IfNoneExist *string `json:"ifNoneExist"`
			IfMatch     *string `json:"ifMatch"`
		} `json:"request"`
	} `json:"entry"`
}

// handleFHIRBundle is POST /fhir/R4: a transaction Bundle (all or
// nothing) or a batch Bundle (each entry on its own), answered with a
// transaction-response or batch-response Bundle.
func (s *Server) handleFHIRBundle(c echo.Context) error {
	body, err := io.ReadAll(c.Request().Body) // bounded by the body limit
	if err != nil {
		return jsonError(err)
	}
	var b bundleIn
	if err := json.Unmarshal(body, &b); err != nil {
		return carepath.Invalid("Bundle", "must be a JSON Bundle")
	}
	if b.ResourceType != "Bundle" {
		return carepath.Invalid("Bundle.resourceType", "must be Bundle (POST a single resource to /fhir/R4/<type>)")
	}
	kind := fhir.Transaction
	switch {
	case b.Type != nil && *b.Type == "transaction":
	case b.Type != nil && *b.Type == "batch":
		kind = fhir.Batch
	default:
		return carepath.Invalid("Bundle.type", "must be transaction or batch")
	}
	entries, err := bundleEntries(b)
	if err != nil {
		return err
	}
	// The route admits any write permission; each entry needs its own
	// type's (a token scoped to Patient must not write Appointments).
	for _, en := range entries {
		if err := s.fhirPermit(c, en.Type, fhirPermFor(en.Method)); err != nil {
			return err
		}
	}
	results, err := s.engine.FHIRWrite(c.Request().Context(), actor(c), entries, kind == fhir.Transaction)
	if err != nil {
		return err
	}
	out := make([]fhir.EntryResult, len(results))
	for i, r := range results {
		out[i] = fhir.EntryResult{Status: r.Status, Type: r.Type, ID: r.ID, Version: r.Version, LastModified: r.LastUpdated, Err: r.Err}
	}
	return c.Blob(http.StatusOK, fhirJSON, fhir.ResponseBundle(kind, out))
}

// bundleEntries turns a Bundle's entries into writes, every malformed
// request reported at once.
func bundleEntries(b bundleIn) ([]engine.FHIREntry, error) {
	var problems carepath.Problems
	entries := make([]engine.FHIREntry, 0, len(b.Entry))
	for i, en := range b.Entry {
		path := fmt.Sprintf("Bundle.entry[%d]", i)
		if en.Request == nil {
			problems = append(problems, carepath.Invalid(path+".request", "is required in a transaction or batch"))
			continue
		}
		if len(en.Resource) == 0 {
			problems = append(problems, carepath.Invalid(path+".resource", "is required: carepath accepts POST and PUT"))
			continue
		}
		if en.Request.IfMatch != nil {
			problems = append(problems, carepath.Invalid(path+".request.ifMatch", "is not supported"))
			continue
		}
		ent := engine.FHIREntry{Method: en.Request.Method, FullURL: en.FullURL, Resource: en.Resource, Path: path}
		u, err := url.Parse(en.Request.URL)
		if err != nil || u.IsAbs() || en.Request.URL == "" {
			problems = append(problems, carepath.Invalid(path+".request.url", "must be Type, Type/id or Type?identifier=system|value"))
			continue
		}
		typ, id, _ := strings.Cut(strings.Trim(u.Path, "/"), "/")
		ent.Type, ent.ID = typ, id
		if q := u.Query(); len(q) > 0 {
			ent.Condition = q
		}
		switch ent.Method {
		case http.MethodPost:
			if id != "" {
				problems = append(problems, carepath.Invalid(path+".request.url", "a create is POST Type (no id)"))
				continue
			}
			if en.Request.IfNoneExist != nil {
				cond, err := url.ParseQuery(*en.Request.IfNoneExist)
				if err != nil {
					problems = append(problems, carepath.Invalid(path+".request.ifNoneExist", "must be identifier=system|value"))
					continue
				}
				ent.Condition = cond
			}
		case http.MethodPut:
		default:
			problems = append(problems, carepath.Invalid(path+".request.method", "carepath accepts POST and PUT"))
			continue
		}
		entries = append(entries, ent)
	}
	return entries, problems.Err()
}

// handleFHIRCreate is POST /fhir/R4/:type (If-None-Exist honoured).
func (s *Server) handleFHIRCreate(c echo.Context) error {
	ent := engine.FHIREntry{Method: http.MethodPost, Type: c.Param("type")}
	if h := c.Request().Header.Get("If-None-Exist"); h != "" {
		cond, err := url.ParseQuery(h)
		if err != nil {
			return carepath.Invalid("If-None-Exist", "must be identifier=system|value")
		}
		ent.Condition = cond
	}
	return s.fhirWriteOne(c, ent)
}

// handleFHIRUpdate is PUT /fhir/R4/:type/:id: update, or create with the
// client's id.
func (s *Server) handleFHIRUpdate(c echo.Context) error {
	return s.fhirWriteOne(c, engine.FHIREntry{Method: http.MethodPut, Type: c.Param("type"), ID: c.Param("id")})
}

// handleFHIRConditionalUpdate is PUT /fhir/R4/:type?identifier=system|value.
func (s *Server) handleFHIRConditionalUpdate(c echo.Context) error {
	cond := url.Values{}
	for k, v := range c.QueryParams() {
		if k != "_format" && k != "_pretty" {
			cond[k] = v
		}
	}
	if len(cond) == 0 {
		return carepath.Invalid("url", "an update names the id (PUT Type/id) or a condition (PUT Type?identifier=system|value)")
	}
	return s.fhirWriteOne(c, engine.FHIREntry{Method: http.MethodPut, Type: c.Param("type"), Condition: cond})
}

// fhirWriteOne writes a single resource and answers 201 or 200 with its
// Location, ETag and Last-Modified; the body is the stored resource
// unless the client asked Prefer: return=minimal.
func (s *Server) fhirWriteOne(c echo.Context, ent engine.FHIREntry) error {
	if !engine.FHIRWritable(ent.Type) {
		return fhir.NotSupported(http.StatusMethodNotAllowed, "carepath does not accept writes of %s", ent.Type)
	}
	body, err := io.ReadAll(c.Request().Body) // bounded by the body limit
	if err != nil {
		return jsonError(err)
	}
	ent.Resource = body
	results, err := s.engine.FHIRWrite(c.Request().Context(), actor(c), []engine.FHIREntry{ent}, true)
	if err != nil {
		return err
	}
	r := results[0]
	h := c.Response().Header()
	v := strconv.FormatInt(r.Version, 10)
	h.Set(echo.HeaderLocation, s.readBaseURL(c)+"/"+r.Type+"/"+r.ID+"/_history/"+v)
	h.Set("ETag", fhir.ETag(r.Version))
	h.Set(echo.HeaderLastModified, r.LastUpdated.UTC().Format(http.TimeFormat))
	if strings.Contains(c.Request().Header.Get("Prefer"), "return=minimal") {
		return c.NoContent(r.Status)
	}
	return c.Blob(r.Status, fhirJSON, r.Resource)
}
