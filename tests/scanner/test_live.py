"""The live path: two-frame acceptance, a fake camera lost and found again, the real threads."""

from __future__ import annotations

import threading

import pytest

from desk_app.scanner.decode import DecodedCode
from desk_app.scanner.live import LiveScanner, State
from desk_app.scanner.sources import EndOfStream, FakeSource, ImageFolderSource, SourceUnavailable
from desk_app.scanner.validator import TwoFrameValidator

from .helpers import LINK, empty_frame, qr_frame

SQUARE = ((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0))


def code(text: str) -> DecodedCode:
    return DecodedCode(text, "QRCode", SQUARE)


class Recorder:
    """A listener that keeps what it heard."""

    def __init__(self) -> None:
        self.states: list[State] = []
        self.frames = 0
        self.results = []
        self.accepted: list[str] = []
        self.lock = threading.Lock()
        self.got_accept = threading.Event()
        self.got_state = threading.Event()

    def on_state(self, state, detail) -> None:
        with self.lock:
            self.states.append(state)
        self.got_state.set()

    def on_frame(self, frame, number) -> None:
        self.frames += 1

    def on_result(self, result) -> None:
        with self.lock:
            self.results.append(result)
            self.accepted += [c.text for c in result.accepted]
        if result.accepted:
            self.got_accept.set()


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


# -- the validator ------------------------------------------------------------------------
def test_a_code_is_accepted_on_its_second_frame_and_once() -> None:
    clock = Clock()
    v = TwoFrameValidator(clock=clock)
    assert v.feed([code("A")]) == []
    assert [c.text for c in v.feed([code("A")])] == ["A"]
    for _ in range(10):  # held in front of the camera: not again
        clock.t += 0.1
        assert v.feed([code("A")]) == []


def test_a_code_is_accepted_again_after_leaving_the_view() -> None:
    clock = Clock()
    v = TwoFrameValidator(quiet_s=2.0, clock=clock)
    v.feed([code("A")])
    assert v.feed([code("A")])
    clock.t += 1.0
    v.feed([])
    clock.t += 1.5
    v.feed([])          # out of view for 2.5 s
    assert v.feed([code("A")]) == []
    assert [c.text for c in v.feed([code("A")])] == ["A"]


def test_a_code_seen_once_in_a_while_is_never_accepted() -> None:
    v = TwoFrameValidator(window=3, clock=Clock())
    for frame in ([code("A")], [], [], [], [code("A")], [], [], []):
        assert v.feed(frame) == []


def test_validators_share_nothing() -> None:
    first, second = TwoFrameValidator(clock=Clock()), TwoFrameValidator(clock=Clock())
    first.feed([code("A")])
    assert second.feed([code("A")]) == []  # Electrum's class-level counts would have accepted it here
    assert first.feed([code("A")])


def test_reset_forgets_acceptance() -> None:
    v = TwoFrameValidator(clock=Clock())
    v.feed([code("A")])
    v.feed([code("A")])
    v.reset()
    v.feed([code("A")])
    assert [c.text for c in v.feed([code("A")])] == ["A"]


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        TwoFrameValidator(frames_needed=3, window=2)


# -- the live scanner with a fake camera --------------------------------------------------
def test_fake_camera_frames_are_decoded_and_accepted_after_two() -> None:
    source = FakeSource([empty_frame(), qr_frame(), qr_frame(), qr_frame()], loop=False)
    rec = Recorder()
    live = LiveScanner(lambda: source, rec, clock=Clock())
    first = live.pump()
    assert live.state is State.RUNNING and first is not None and first.codes == []
    second = live.pump()
    assert [c.text for c in second.codes] == [LINK] and second.accepted == []
    third = live.pump()
    assert [c.text for c in third.accepted] == [LINK]
    assert live.pump().accepted == []
    assert live.pump() is None and live.state is State.ENDED
    assert rec.states == [State.RUNNING, State.ENDED]
    assert rec.accepted == [LINK] and rec.frames == 4


def test_camera_lost_then_found_again() -> None:
    source = FakeSource([qr_frame()])
    rec = Recorder()
    live = LiveScanner(lambda: source, rec, clock=Clock())
    live.pump()
    live.pump()
    assert rec.accepted == [LINK]
    source.unplug()
    assert live.pump() is None and live.state is State.LOST
    assert live.pump() is None and live.state is State.LOST   # still gone: retried, still lost
    source.plug()
    assert live.pump() is not None and live.state is State.RUNNING
    assert source.opens == 2
    assert rec.states == [State.RUNNING, State.LOST, State.RUNNING]


def test_no_camera_at_start_is_not_called_lost() -> None:
    source = FakeSource([qr_frame()])
    source.unplug()
    rec = Recorder()
    live = LiveScanner(lambda: source, rec)
    assert live.pump() is None
    assert rec.states == [State.NO_SOURCE]
    source.plug()
    live.pump()
    assert rec.states == [State.NO_SOURCE, State.RUNNING]


def test_a_failing_decoder_does_not_stop_the_camera() -> None:
    def broken(frame, number):
        raise RuntimeError("boom")
    live = LiveScanner(lambda: FakeSource([qr_frame()]), Recorder(), decoder=broken)
    result = live.pump()
    assert result is not None and result.codes == [] and live.state is State.RUNNING


def test_threads_read_decode_lose_and_recover() -> None:
    source = FakeSource([qr_frame()], fps=60)
    rec = Recorder()
    live = LiveScanner(lambda: source, rec, retry_s=0.02)
    live.start()
    try:
        assert rec.got_accept.wait(10), "the QR was never accepted"
        rec.got_state.clear()
        source.unplug()
        assert _wait_for(rec, State.LOST)
        source.plug()
        assert _wait_for(rec, State.RUNNING, after=State.LOST)
    finally:
        live.stop()
    assert live.state is State.STOPPED and not live.running


def _wait_for(rec: Recorder, state: State, after: State | None = None) -> bool:
    for _ in range(200):
        with rec.lock:
            states = list(rec.states)
        if after is not None and after in states:
            states = states[len(states) - 1 - states[::-1].index(after):]
        if state in states:
            return True
        rec.got_state.wait(0.05)
        rec.got_state.clear()
    return False


# -- other sources ------------------------------------------------------------------------
def test_image_folder_source(tmp_path) -> None:
    import cv2
    cv2.imwrite(str(tmp_path / "a.png"), qr_frame())
    cv2.imwrite(str(tmp_path / "b.jpg"), empty_frame())
    (tmp_path / "notes.txt").write_text("not an image")
    source = ImageFolderSource(tmp_path, fps=0, loop=False)
    source.open()
    assert source.read().shape == (480, 640, 3)
    assert source.read().shape == (480, 640, 3)
    with pytest.raises(EndOfStream):
        source.read()
    with pytest.raises(SourceUnavailable):
        ImageFolderSource(tmp_path / "missing").open()


def test_video_file_source_loops(tmp_path) -> None:
    import cv2
    from desk_app.scanner.sources import VideoFileSource
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (640, 480))
    for frame in (empty_frame(), qr_frame(), qr_frame()):
        writer.write(frame)
    writer.release()
    source = VideoFileSource(path, loop=True, realtime=False)
    source.open()
    frames = [source.read() for _ in range(5)]
    assert all(f is not None and f.shape == (480, 640, 3) for f in frames)
    source.close()
    with pytest.raises(SourceUnavailable):
        VideoFileSource(tmp_path / "none.mp4").open()
