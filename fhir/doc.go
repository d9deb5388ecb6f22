// Package fhir is carepath's FHIR R4 (4.0.1) vocabulary: the pieces of the
// /fhir/R4 endpoint that are pure data shaping, with no I/O.
//
//   - outcome.go: any error as an HTTP status and an OperationOutcome.
//   - search.go: the search parameters carepath supports, parsed and checked.
//   - bundle.go: searchset Bundles with paging links, and the
//     transaction-response / batch-response Bundles.
//   - capability.go: the CapabilityStatement, built from a table.
//   - the resource mapping files of the other owners (Decode, renderers,
//     identifier systems).
//
// Layering: package fhir may import the root package carepath, store (row
// types only), the samply R4 models and the standard library; never engine
// or api. The engine uses it for use cases (FHIRRead, FHIRSearch, FHIRWrite)
// and api for the HTTP edge. Resource structs are samply's, generated from
// the official R4 StructureDefinitions.
package fhir
