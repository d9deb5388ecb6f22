package fhir

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCapabilityStatementFromTable(t *testing.T) {
	c := Capability{Software: "carepath", Version: "v1", Date: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		BaseURL: "https://cp.example/fhir/R4", TokenURL: "https://cp.example/fhir/R4/auth/token",
		Resources: []ResourceCapability{
			{Type: "Patient", Interactions: []string{InteractionCreate, InteractionUpdate, InteractionRead, InteractionSearchType},
				ConditionalUpdate: true, ConditionalCreate: true, UpdateCreate: true, SearchParams: []string{ParamID, ParamIdentifier}},
			{Type: "Task", Interactions: []string{InteractionRead, InteractionSearchType}, SearchParams: []string{ParamStatus}},
		},
		System: []string{InteractionTransaction, InteractionBatch},
	}
	raw, err := CapabilityStatement(c)
	if err != nil {
		t.Fatal(err)
	}
	var cs struct {
		ResourceType, Status, Date, Kind, FhirVersion string
		Format                                        []string
		Implementation                                struct{ URL string }
		Rest                                          []struct {
			Mode     string
			Resource []struct {
				Type              string
				Interaction       []struct{ Code string }
				ConditionalUpdate *bool
				ConditionalCreate *bool
				UpdateCreate      *bool
				SearchParam       []struct{ Name, Type string }
			}
			Interaction []struct{ Code string }
		}
	}
	if err := json.Unmarshal(raw, &cs); err != nil {
		t.Fatal(err)
	}
	if cs.ResourceType != "CapabilityStatement" || cs.FhirVersion != "4.0.1" || cs.Kind != "instance" || cs.Status != "active" ||
		cs.Date != "2026-12-01T00:00:00Z" || cs.Format[0] != "json" || cs.Implementation.URL != c.BaseURL || cs.Rest[0].Mode != "server" {
		t.Errorf("%s", raw)
	}
	p, task := cs.Rest[0].Resource[0], cs.Rest[0].Resource[1]
	if len(p.Interaction) != 4 || p.Interaction[2].Code != "read" || !*p.ConditionalUpdate || !*p.ConditionalCreate || !*p.UpdateCreate ||
		p.SearchParam[1].Name != "identifier" || p.SearchParam[1].Type != "token" {
		t.Errorf("Patient: %+v", p)
	}
	if task.ConditionalUpdate != nil || task.ConditionalCreate != nil || task.SearchParam[0].Type != "token" || len(task.Interaction) != 2 {
		t.Errorf("Task: %+v", task)
	}
	if len(cs.Rest[0].Interaction) != 2 || cs.Rest[0].Interaction[1].Code != "batch" {
		t.Errorf("system: %+v", cs.Rest[0].Interaction)
	}
	if !strings.Contains(string(raw), `"valueUri":"https://cp.example/fhir/R4/auth/token"`) || !strings.Contains(string(raw), `"code":"SMART-on-FHIR"`) {
		t.Errorf("security: %s", raw)
	}
	if r, ok := c.Resource("Task"); !ok || r.Supports(InteractionCreate) || !r.Supports(InteractionRead) {
		t.Errorf("Resource/Supports: %+v %v", r, ok)
	}
	if _, ok := c.Resource("Basic"); ok {
		t.Error("Basic found")
	}
}

func TestCapabilityStatementRefusesWhatR4Lacks(t *testing.T) {
	for name, r := range map[string]ResourceCapability{
		"unknown type":        {Type: "Gizmo", Interactions: []string{InteractionRead}},
		"unknown interaction": {Type: "Patient", Interactions: []string{"patch-all"}},
		"unparsed parameter":  {Type: "Patient", Interactions: []string{InteractionSearchType}, SearchParams: []string{"name"}},
	} {
		if _, err := CapabilityStatement(Capability{Resources: []ResourceCapability{r}}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := CapabilityStatement(Capability{System: []string{"history-everything"}}); err == nil {
		t.Error("unknown system interaction accepted")
	}
}
