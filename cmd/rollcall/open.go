package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// cliContext marks ctx as the local operator's: the CLI user holds the
// database (and its key) anyway, so it acts with the system role.
func (m *Main) cliContext(ctx context.Context) context.Context {
	return rollcall.WithActor(ctx, rollcall.Actor{Name: "cli", Role: rollcall.RoleSystem})
}

// openOpts say which key a command's store holds. The zero value loads the
// field cipher when the database has a key configured.
type openOpts struct {
	// plain loads no key: for commands that must not, or need not,
	// decrypt anything (a public export, a hash check).
	plain bool
	// cipher, when set, is the key to open with instead of the configured
	// one (key rotation opens with the new key).
	cipher rollcall.FieldCipher
	// serving holds the database's server lock shared while the store is
	// open, so that a restore refuses instead of replacing the database
	// under a running server (store.ServerLock).
	serving bool
}

// withStore opens the database named by --db (migrating it) as o says and
// runs f with the operator's context; the store closes when Main closes.
// It is the one way a command reaches the database.
func (m *Main) withStore(cmd *cobra.Command, o openOpts, f func(ctx context.Context, st *store.Store) error) error {
	ctx := m.cliContext(cmd.Context())
	dsn := m.dbFlag(cmd)
	opts := store.Options{Logger: m.Logger, NameKeys: textnorm.NameKeys, Cipher: o.cipher}
	if opts.Cipher == nil && !o.plain && m.cipher != nil && m.cipherConfigured(dsn) {
		c, err := m.cipher(ctx, dsn)
		if err != nil {
			return fmt.Errorf("load encryption key: %w", err)
		}
		opts.Cipher = c
	}
	if o.serving {
		lk, err := store.LockForServing(ctx, dsn)
		if err != nil {
			return err
		}
		// Registered first, so released after the store closes.
		m.onClose(lk.Release)
	}
	st, err := store.Open(ctx, dsn, opts)
	if err != nil {
		return err
	}
	m.onClose(st.Close)
	return f(ctx, st)
}

// flagError names the flag whose value err refuses, keeping err's code and
// safe message.
func flagError(flag string, err error) error {
	return rollcall.Errorf(rollcall.ErrorCode(err), "%s: %s", flag, rollcall.ErrorMessage(err))
}
