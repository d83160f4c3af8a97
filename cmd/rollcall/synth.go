package main

import "github.com/spf13/cobra"

// synthCommands is a stub until the synth commands land.
func (m *Main) synthCommands() []*cobra.Command { return nil }
