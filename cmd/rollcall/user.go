package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
	"github.com/rollcall-project/rollcall/internal/store"
)

func (m *Main) userCommands() []*cobra.Command {
	user := &cobra.Command{
		Use:   "user",
		Short: "Manage accounts of the web interface (add, passwd, role, disable, enable, token, list)",
		Long: "Accounts have one role: viewer (reads, confidential fields hidden), analyst (also reviews\n" +
			"links), editor (also creates and edits; sees confidential fields) or admin (also metrics\n" +
			"and accounts). Passwords are read from a terminal prompt or, when piped, the first\n" +
			"line of standard input; never from the command line.",
	}
	var role string
	add := &cobra.Command{
		Use:   "add NAME",
		Short: "Create an account (password from the prompt or stdin)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withAuth(cmd, func(ctx context.Context, svc *auth.Service) error {
				pw, err := m.readPassword("Password for " + args[0])
				if err != nil {
					return err
				}
				u, err := svc.AddUser(ctx, args[0], role, pw)
				if err != nil {
					return err
				}
				m.Logger.Info("user added", "user", u.Name, "role", u.Role)
				fmt.Fprintf(m.Stdout, "added %s (%s)\n", u.Name, u.Role)
				return nil
			})
		},
	}
	add.Flags().StringVar(&role, "role", rollcall.RoleViewer, "role: "+strings.Join(auth.Roles, ", "))

	passwd := &cobra.Command{
		Use:   "passwd NAME",
		Short: "Set a new password (ends the user's sessions)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withAuth(cmd, func(ctx context.Context, svc *auth.Service) error {
				pw, err := m.readPassword("New password for " + args[0])
				if err != nil {
					return err
				}
				if err := svc.SetPassword(ctx, args[0], pw); err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "password of %s changed\n", args[0])
				return nil
			})
		},
	}
	roleCmd := &cobra.Command{
		Use:   "role NAME ROLE",
		Short: "Change a user's role (ends the user's sessions)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withAuth(cmd, func(ctx context.Context, svc *auth.Service) error {
				if err := svc.SetRole(ctx, args[0], args[1]); err != nil {
					return err
				}
				fmt.Fprintf(m.Stdout, "%s is now %s\n", args[0], args[1])
				return nil
			})
		},
	}
	toggle := func(use, short string, disabled bool) *cobra.Command {
		return &cobra.Command{
			Use: use + " NAME", Short: short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return m.withAuth(cmd, func(ctx context.Context, svc *auth.Service) error {
					if err := svc.SetDisabled(ctx, args[0], disabled); err != nil {
						return err
					}
					fmt.Fprintf(m.Stdout, "%s %sd\n", args[0], use)
					return nil
				})
			},
		}
	}
	var label string
	var ttl time.Duration
	token := &cobra.Command{
		Use:   "token NAME",
		Short: "Create an API token for scripts (printed once; send it as Authorization: Bearer)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withAuth(cmd, func(ctx context.Context, svc *auth.Service) error {
				secret, t, err := svc.NewToken(ctx, args[0], label, ttl)
				if err != nil {
					return err
				}
				exp := "never"
				if t.ExpiresAt != nil {
					exp = t.ExpiresAt.Format(time.RFC3339)
				}
				fmt.Fprintf(m.Stderr, "token %d for %s (expires %s); it is shown only now:\n", t.ID, args[0], exp)
				fmt.Fprintln(m.Stdout, secret)
				return nil
			})
		},
	}
	token.Flags().StringVar(&label, "name", "", "a label for the token")
	token.Flags().DurationVar(&ttl, "ttl", 90*24*time.Hour, "lifetime (0 for none)")
	list := &cobra.Command{
		Use:   "list",
		Short: "List accounts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.withAuth(cmd, func(ctx context.Context, svc *auth.Service) error {
				us, err := svc.Store.ListUsers(ctx)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tROLE\tSTATE\tCREATED")
				for _, u := range us {
					state := "active"
					if u.Disabled {
						state = "disabled"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Role, state, u.CreatedAt.Format("2006-01-02"))
				}
				return tw.Flush()
			})
		},
	}
	user.AddCommand(add, passwd, roleCmd, toggle("disable", "Block an account (ends its sessions)", true),
		toggle("enable", "Unblock an account", false), token, list)
	return []*cobra.Command{user}
}

// withAuth runs f with the account service of the --db database.
func (m *Main) withAuth(cmd *cobra.Command, f func(context.Context, *auth.Service) error) error {
	return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
		return f(ctx, auth.NewService(st))
	})
}

// readPassword prompts twice on a terminal, or reads one line from stdin.
func (m *Main) readPassword(prompt string) (string, error) {
	if f, ok := m.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(m.Stderr, prompt+": ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(m.Stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(a) != string(b) {
			return "", rollcall.Errorf(rollcall.EINVALID, "the passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(io.LimitReader(m.Stdin, auth.MaxPasswordLen+2)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", rollcall.Errorf(rollcall.EINVALID, "no password on standard input")
	}
	return pw, nil
}
