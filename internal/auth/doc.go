// Package auth holds rollcall's accounts: Argon2id password hashes in PHC
// form, roles and what each may do, browser sessions with CSRF tokens, API
// tokens for scripts (stored only as hashes) and a login rate limiter. It
// talks to storage through the UserStore interface, which internal/store
// implements.
package auth
