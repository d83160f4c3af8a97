// Package chart draws rollcall's charts as SVG documents the web pages
// embed and the command line writes (gonum/plot): stored estimates beside
// the documented counts, and amnesties announced against documented,
// eligible and released. Colours are the colour-blind safe Okabe–Ito
// palette; a figure that does not apply is left out, never drawn as 0.
package chart
