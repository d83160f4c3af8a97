package main

import "github.com/spf13/cobra"

// linkCommands is a stub until the link commands land.
func (m *Main) linkCommands() []*cobra.Command { return nil }
