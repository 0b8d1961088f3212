// mx.distributed: MLX's distributed communication. `init` gives the group of
// the launched processes (the ring backend over TCP, configured by MLX_RANK
// and MLX_HOSTFILE as `mlx-ts launch` sets them) or the singleton group; the
// collectives and send / recv build nodes that communicate when evaluated.
export { Group, init, isAvailable, type DistributedBackend, type InitOptions } from "./group.js";
export { allGather, allMax, allMin, allSum, recv, recvLike, send, sumScatter, type DistributedOptions } from "./ops.js";
