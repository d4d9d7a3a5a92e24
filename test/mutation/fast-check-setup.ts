// The mutation run only needs to know whether a property fails: stop at the first counterexample instead of
// shrinking it (shrinking a planned week re-plans it hundreds of times, and a killed mutant then timed out).
import fc from 'fast-check';

fc.configureGlobal({ ...fc.readConfigureGlobal(), endOnFailure: true });
