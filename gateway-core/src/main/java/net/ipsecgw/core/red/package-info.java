/**
 * The red (clear) side of a lane, seen from the lane: the TUN queue or, without TUN and root, an
 * in-process traffic generator and sink.
 */
package net.ipsecgw.core.red;
