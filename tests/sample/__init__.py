"""Tests of the sample-practice generator."""
