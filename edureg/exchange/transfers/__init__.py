"""The transfer dashboard (issue #14 item 6): what each source system sent — files, feeds and
batch API calls, all kept as `ImportRun`s with their refused rows — per day, accepted and
refused, the refusals grouped by error and whether each was fixed since."""
