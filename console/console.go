// Package console is the care team's browser console: plain ES modules,
// HTML and CSS embedded in the binary and served under /console. The pages
// use only the public /v1 API; routing happens in the browser (history
// API), so every /console path that is not an asset answers index.html.
package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// Prefix is where the console is mounted; AssetPrefix where its files are.
const (
	Prefix      = "/console"
	AssetPrefix = Prefix + "/assets/"
)

// assetMaxAge is short because asset names carry no content hash: a new
// release reaches browsers within a minute, and the ETag saves the bytes.
const assetMaxAge = "private, max-age=60"

//go:embed assets
var assets embed.FS

// contentTypes are set explicitly rather than from the system's MIME
// table, which varies by machine (and nosniff makes a wrong one fatal).
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
	".json": "application/json",
}

type file struct {
	body        []byte
	etag        string
	contentType string
}

// Handler serves the console: index.html for /console and any page path
// under it, the embedded files under /console/assets/, 404 for a missing
// asset. Only GET and HEAD are answered.
func Handler() http.Handler {
	files, err := load(assets)
	if err != nil {
		// The files are compiled in; failing to read them is a build defect.
		panic("console: " + err.Error())
	}
	return &handler{files: files, index: files["index.html"]}
}

type handler struct {
	files map[string]*file
	index *file
}

func load(fsys fs.FS) (map[string]*file, error) {
	files := map[string]*file{}
	sub, err := fs.Sub(fsys, "assets")
	if err != nil {
		return nil, err
	}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct, ok := contentTypes[path.Ext(p)]
		if !ok {
			ct = "application/octet-stream"
		}
		files[p] = &file{body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, contentType: ct}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if files["index.html"] == nil {
		return nil, fs.ErrNotExist
	}
	return files, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if p != Prefix && !strings.HasPrefix(p, Prefix+"/") {
		http.NotFound(w, r)
		return
	}
	if name, ok := strings.CutPrefix(p, AssetPrefix); ok {
		f := h.files[path.Clean(name)]
		if f == nil {
			w.Header().Set("Cache-Control", "no-store")
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", assetMaxAge)
		serve(w, r, f)
		return
	}
	// A page path: the app shell, never cached, so a release's new shell
	// and its modules arrive together.
	w.Header().Set("Cache-Control", "no-store")
	serve(w, r, h.index)
}

func serve(w http.ResponseWriter, r *http.Request, f *file) {
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("ETag", f.etag)
	// ServeContent answers If-None-Match and HEAD and sets the length.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}
