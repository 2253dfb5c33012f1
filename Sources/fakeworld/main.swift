import FakeWorld
print("fakeworld")
