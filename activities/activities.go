package activities

import (
	"log/slog"

	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// Activities holds the dependencies of every activity. It is registered
// once with the worker; workflows call its methods through a nil pointer.
type Activities struct {
	Store     *store.Store
	SMS       messaging.Sender
	Email     messaging.Sender
	Templates *messaging.Catalog
	Log       *slog.Logger
}
