package main

import "github.com/spf13/cobra"

// userCommands is a stub until the user commands land.
func (m *Main) userCommands() []*cobra.Command { return nil }
