// Package mse estimates the size of a population from several incomplete,
// overlapping lists (multiple systems estimation, capture–recapture).
//
// The input is a Table: for each capture pattern (the set of lists on which
// a person appears, a bitmask with list j at bit j) the number of distinct
// people with exactly that pattern. The methods are
//
//   - LogLinear: Poisson log-linear models on the 2^K−1 observed cells
//     (Fienberg 1972), model search and selection by AIC/BIC as in Rcapture,
//     the missing cell predicted from the intercept and a multinomial
//     profile-likelihood interval in N;
//   - LCMCR: the Dirichlet-process latent-class model of Manrique-Vallier
//     (2016) fitted by Gibbs sampling, several chains in parallel;
//   - DGA: Bayesian model averaging over the decomposable graphical models
//     of 3 to 5 lists (Madigan & York 1997, as R's dga);
//   - Chao: Chao's sparse-data lower bound;
//   - Stratified: per-stratum estimates combined into a total;
//   - PoolLinkage and EstimateLinkage: one estimate from the tables of
//     several linkage draws, with the share of the interval that linkage
//     uncertainty adds.
//
// Every method returns a Result, a JSON-serialisable record of the estimate,
// its interval, how the interval was made and its warnings, each with a
// stable code (Warn*): always that the people seen are a floor and that
// heterogeneous capture biases every method downward, and when they apply
// low sample coverage, nearly invisible latent classes and the like;
// CrossCheck adds a warning when methods disagree beyond their intervals.
// The package has no database dependency; callers build Tables from
// whatever they hold.
package mse
