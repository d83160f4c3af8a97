package mse

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

func BenchmarkBinomialInv300x002(b *testing.B) {
	g := newRNG(1, 2)
	s := 0
	for b.Loop() {
		s += g.binomial(300, 0.02)
	}
	_ = s
}

func BenchmarkBinomialBTRD1000x03(b *testing.B) {
	g := newRNG(1, 2)
	s := 0
	for b.Loop() {
		s += g.binomial(1000, 0.3)
	}
	_ = s
}

func BenchmarkGamma25(b *testing.B) {
	g := newRNG(1, 2)
	s := 0.0
	for b.Loop() {
		s += g.gamma(25)
	}
	_ = s
}

// The gonum samplers for comparison (same parameters as above).
func BenchmarkGonumBinomial300x002(b *testing.B) {
	d := distuv.Binomial{N: 300, P: 0.02, Src: rand.New(rand.NewPCG(1, 2))}
	s := 0.0
	for b.Loop() {
		s += d.Rand()
	}
	_ = s
}

func BenchmarkGonumBinomial1000x03(b *testing.B) {
	d := distuv.Binomial{N: 1000, P: 0.3, Src: rand.New(rand.NewPCG(1, 2))}
	s := 0.0
	for b.Loop() {
		s += d.Rand()
	}
	_ = s
}

func BenchmarkGonumGamma25(b *testing.B) {
	d := distuv.Gamma{Alpha: 25, Beta: 1, Src: rand.New(rand.NewPCG(1, 2))}
	s := 0.0
	for b.Loop() {
		s += d.Rand()
	}
	_ = s
}
