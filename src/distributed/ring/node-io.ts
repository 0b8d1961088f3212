// The Node.js APIs the ring backend calls on the main thread (a worker
// thread for the sockets, the hostfile read), in one module so that the
// browser bundle can put one without them in its place, as src/io/files.ts.

export { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
export { readFileSync } from "node:fs";
