import MultiDC
print("bench")
