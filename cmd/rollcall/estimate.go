package main

import "github.com/spf13/cobra"

// estimateCommands is a stub until the estimate commands land.
func (m *Main) estimateCommands() []*cobra.Command { return nil }
