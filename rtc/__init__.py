"""Real-time parts of Silta: Socket.IO signaling and aiortc peers (the echo-test bot, test clients).

The video-meeting work (rooms, waiting room, TURN credentials, bots) lands here; the portal's
feature packages never import aiortc, and the bots run in their own asyncio process.
"""
