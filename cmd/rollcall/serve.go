package main

import "github.com/spf13/cobra"

// serveCommands is a stub until the serve commands land.
func (m *Main) serveCommands() []*cobra.Command { return nil }
