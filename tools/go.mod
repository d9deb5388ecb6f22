// The lint tools at pinned versions, in a module of their own so their
// dependencies do not move carepath's. Run them from the repository root,
// where they load carepath's packages with carepath's go.mod:
//
//	go tool -modfile=tools/go.mod errcheck ./...
//
// golang.org/x/tools is raised above what errcheck v1.9.0 asks for: built
// with that older version, errcheck crashes under Go 1.26 ("package ...
// without types was imported").
module github.com/carepath/carepath/tools

go 1.26.0

tool (
	github.com/kisielk/errcheck
	go.temporal.io/sdk/contrib/tools/workflowcheck
	honnef.co/go/tools/cmd/staticcheck
)

require (
	github.com/BurntSushi/toml v1.4.1-0.20240526193622-a339e1f7089c // indirect
	github.com/kisielk/errcheck v1.9.0 // indirect
	go.temporal.io/sdk/contrib/tools/workflowcheck v0.6.0 // indirect
	golang.org/x/exp/typeparams v0.0.0-20231108232855-2478ac86f678 // indirect
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/tools v0.52.0 // indirect; see the top of this file
	gopkg.in/yaml.v2 v2.4.0 // indirect
	honnef.co/go/tools v0.8.2 // indirect
)
