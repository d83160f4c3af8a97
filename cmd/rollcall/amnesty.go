package main

import "github.com/spf13/cobra"

// amnestyCommands is a stub until the amnesty commands land.
func (m *Main) amnestyCommands() []*cobra.Command { return nil }
