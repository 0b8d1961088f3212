// src/distributed/ring/node-io.ts in the browser bundle: a page has no TCP
// sockets or worker_threads, so the ring backend cannot start there; init()
// gives the singleton group (no MLX_RANK in a page), and these say why.

function noRing(): never {
  throw new Error("the ring backend needs Node.js (a browser page has no TCP sockets)");
}

export const MessageChannel = noRing;
export const receiveMessageOnPort = noRing;
export const Worker = noRing;
export const readFileSync = noRing;
