// Most collections start a whole stack (PostgreSQL, Redis, three services). Run one at a time: on a 2-core
// machine parallel stacks starve each other, and timing-sensitive assertions (ring latency, claim idle times)
// would measure the contention instead of the code.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
