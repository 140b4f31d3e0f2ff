package lib.tlsguard.limit

# Reads input.parameters: the engine must not cache it across policies.
too_big if count(input.review.object.data) > input.parameters.limit
