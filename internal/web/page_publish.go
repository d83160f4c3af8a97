package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/publish"
	"github.com/rollcall-project/rollcall/internal/store"
)

// PublicationsView is the admins' publications page: every publication,
// the form that makes the next one, and the one just made.
type PublicationsView struct {
	Items []store.Publication
	// CanPublish is false when the server holds no signing key (no
	// keyring loaded): publications are then made with `rollcall publish`.
	CanPublish bool
	K          string
	Error      string
	Done       *store.Publication
}

// Files are the files each publication offers for download.
func (PublicationsView) Files() []string { return exportFiles }

// exportFiles are the files of a publication, as `rollcall publish` names
// them beside FILE.
var exportFiles = []string{"export.json", "export.json.sig", "export.json.proof"}

func (s *Server) publicationsView(r *http.Request, k string) (*PublicationsView, error) {
	ps, err := s.store.Publications(r.Context())
	if err != nil {
		return nil, err
	}
	return &PublicationsView{Items: ps, CanPublish: s.signer != nil, K: k}, nil
}

func (s *Server) handlePublications(w http.ResponseWriter, r *http.Request) {
	v, err := s.publicationsView(r, strconv.Itoa(publish.DefaultK))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if n, err := strconv.ParseInt(r.URL.Query().Get("done"), 10, 64); err == nil {
		for i := range v.Items {
			if v.Items[i].Number == n {
				v.Done = &v.Items[i]
			}
		}
	}
	s.render(w, r, http.StatusOK, "publications", "publications.title", v)
}

// handlePublish makes the next publication, as `rollcall publish` does,
// from a view of the store without the key, then shows it with the cells
// withheld because of earlier publications.
func (s *Server) handlePublish(w http.ResponseWriter, r *http.Request) {
	kText := strings.TrimSpace(r.PostFormValue("k"))
	v, err := s.publicationsView(r, kText)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if s.signer == nil {
		v.Error = s.cat.T(state(r).lang, "publications.nokey")
		s.render(w, r, http.StatusConflict, "publications", "publications.title", v)
		return
	}
	k, err := strconv.Atoi(kText)
	if err == nil {
		err = publish.CheckK(k)
	}
	if err != nil {
		v.Error = s.cat.T(state(r).lang, "publications.k.invalid", publish.DefaultK)
		s.render(w, r, http.StatusBadRequest, "publications", "publications.title", v)
		return
	}
	res, err := publish.Publish(r.Context(), s.store.Plain(), s.signer, k, s.now())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/publications?done="+strconv.FormatInt(res.Export.Publication, 10), http.StatusSeeOther)
}

// handlePublicationFile hands out a publication's export, its signature
// or a fresh proof of its audit entry.
func (s *Server) handlePublicationFile(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	file := r.PathValue("file")
	if err != nil || !slices.Contains(exportFiles, file) {
		s.renderError(w, r, rollcall.Errorf(rollcall.ENOTFOUND, "no such publication file"))
		return
	}
	p, err := s.store.PublicationBody(r.Context(), n)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	body := p.Body
	if file != "export.json" {
		if s.signer == nil {
			s.renderError(w, r, rollcall.Errorf(rollcall.ECONFLICT, "the server holds no signing key: sign with rollcall publish"))
			return
		}
		res := &publish.Result{Bytes: p.Body, Sig: publish.Sign(s.signer, p.Body)}
		if res.Export, err = publish.Parse(p.Body); err == nil && file == "export.json.proof" {
			proof, perr := publish.Prove(r.Context(), s.store, s.signer, res)
			if err = perr; err == nil {
				body, err = json.MarshalIndent(proof, "", "  ")
				body = append(body, '\n')
			}
		} else if err == nil {
			body = []byte(res.Sig.Text())
		}
		if err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	name := "publication-" + strconv.FormatInt(n, 10) + "-" + file
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(body)
}
