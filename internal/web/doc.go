// Package web serves rollcall over HTTP: the JSON API under /api/v1
// (described by api/openapi.yaml), the server-rendered pages in English and
// Korean, the offline facility map, /healthz and /metrics. Every route
// names the least role it needs; the store, given the actor in the request
// context, redacts what that role may not see.
package web
